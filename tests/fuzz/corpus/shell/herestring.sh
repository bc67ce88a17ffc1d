grep x <<< "a b"; read y <<< 'c[`id`]'
